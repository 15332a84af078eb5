"""Language machinery: reading what people type. Danger and scam checks, the question matcher and
the learned classifier, language identification, staff report parsing and dates, and the
personal-data check. Pure functions over text and the domain; no Telegram, no storage."""
