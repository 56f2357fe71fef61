"""ospec: editor tooling, checker, SDK and local sandbox for OSpec documents."""

__version__ = "0.1.0"
