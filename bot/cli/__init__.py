"""The ``trygghetsbot`` command line: one module per group of subcommands, through the same
services the chat uses. ``bot_api`` is the one module here that talks to Telegram (the bot's
username, explaining a failed call)."""
