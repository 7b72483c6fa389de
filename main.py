"""Entry point for `flet build` / `flet run` (see [tool.flet.app] in pyproject.toml): the field app."""

from fieldapp.app import run

if __name__ == "__main__":
    run()
