"""The Qt layer: observes the model and drives the engine through a thin facade."""
