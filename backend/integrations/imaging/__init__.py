"""Camera image health: a snapshot against the camera's own reference image.

- ``health.py``: ``image_stats`` (sharpness, brightness, featureless share of one image),
  ``assess`` (reference vs. current: blurred, too dark/bright, obstructed, view moved, unreadable;
  verdict, metrics and a Turkish message for the technician) and ``assess_alone`` (no reference yet).

Nothing is re-exported here, so importing the package does not import OpenCV.
"""
