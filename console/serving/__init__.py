"""What the project's two WebSocket servers, the simulator and the recording proxy, share.

Both answer plain HTTP requests on their WebSocket port (WebRTC's `POST
/v1/realtime/calls`); neither is built on the other, so the shared part lives here,
below both.
"""
