"""Domain vocabulary: table schemas (`schema`), the one label table (`labels`), regions and
reference data (`reference`, files in `refdata/`), identifier validators (`ids`),
configuration (`config`, defaults in `config.toml`) and month arithmetic (`calendar`).

May import: nothing from the package outside `domain`.
"""
