"""Research teams: users with stable UIDs and keys, roles per project, tokens, the audit log and
shared project spaces.
"""
