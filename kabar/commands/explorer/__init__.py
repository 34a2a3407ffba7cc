"""The web explorer behind `kabar browse`: routes and pages in app.py, HTML pieces in render.py,
Jinja2 templates in templates/. All SQL lives in warehouse/explorer.py."""
