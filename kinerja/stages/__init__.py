"""The SOP stages: one module per stage, each a function over paths and data returning an outcome with a Report."""
