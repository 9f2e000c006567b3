"""Screens of the console: the main screen, the session and tool editors and their modals."""
