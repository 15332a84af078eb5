"""The domain: the promise as data, its periods and pace, roles, tips, and the records and view
data every other layer passes around. It imports nothing above it: no Telegram, no storage, no
services, no presenters."""
