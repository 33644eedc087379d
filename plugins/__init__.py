"""The seven built-in value-creation practices, each an ordinary plugin.

Installed as the `planner_practices` package and registered through the `planner.practices` entry
point group, the very path a third-party practice package takes.
"""
