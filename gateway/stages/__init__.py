"""The exchange's stages, one per module; gateway.pipeline puts them in order."""
