"""What is kept on disk in a store directory: the monthly snapshots with atomic publishing
(`snapshots`), the comments of the quarterly reviews (`comments`), and the other SQLite
records of the store.

May import: `lifecycle.domain`.
"""
