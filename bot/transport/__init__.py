"""Between python-telegram-bot and the network: confirmed offsets for long polling and the
request wrappers that skip unreadable updates and log outages once. (The webhook server that
feeds PTB is ``bot/webhook.py``, beside the composition root it serves.)"""
