"""One module per `kabar` subcommand; each defines ``register(subparsers)``."""
