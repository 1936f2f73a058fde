"""bytes -> Work."""

from ficarchive.rescue.pipeline import rescue

__all__ = ["rescue"]
