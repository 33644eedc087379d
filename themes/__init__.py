"""The planner's built-in theme files (*.toml), installed as the data-only package `planner_themes`.

Nothing here is imported for its code: planner.app.themes reads the files next to this one through
importlib.resources, so they are found the same way from a source tree, an editable install and a wheel.
"""
