"""`realtime-console attach`: watch and steer a live WebRTC/SIP call through a sideband.

UI-free: options, recording and the headless run. The live view is handed in by
`console.app.attach_cli`, so this package never imports the app layer.
"""
