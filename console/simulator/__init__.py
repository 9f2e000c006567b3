"""A local, protocol-faithful Realtime API simulator.

The embedded default for offline use and the backend of every end-to-end test:
`Simulator` serves both protocol shapes on loopback; `voice.synthesise` /
`voice.transcribe` make and read the simulator's own synthetic speech; `FaultPlan`
makes a connection misbehave on purpose.
"""

from .faults import FaultPlan
from .server import Simulator
from .voice import synthesise, transcribe

__all__ = ["FaultPlan", "Simulator", "synthesise", "transcribe"]
