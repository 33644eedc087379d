"""Value Planner: plan the week around seven value-creation practices, in plain TOML files."""

__version__ = "0.1.0"
