"""The ledger's revisions, oldest first. Never edit a revision that has shipped."""
