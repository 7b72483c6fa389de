"""Teren: the offline-first field app for community animators, library staff and supervisors."""

__version__ = "0.1.0"
