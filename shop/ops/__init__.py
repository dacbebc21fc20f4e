"""Operations: backups and restores, moving between engines, health checks.

Everything here is generic over the tables that exist: tables are read from the migrated schema
(in foreign-key order), so a new area's tables are backed up, moved and checksummed without any
change in this package.
"""
