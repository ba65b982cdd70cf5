"""CLI sub-commands, one module per concern; each has ``register(subparsers)``."""
