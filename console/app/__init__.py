"""The Textual application: the app shell, its screens, command-palette providers and the
thin layer that turns session changes into Textual messages.

Besides `widgets/`, this is the only package that imports Textual. Everything it shows
comes from the UI-free packages beside it (`console.session`, `console.replay`, ...).
"""
