"""Herald against the user's targets: the KPIs, the figures behind them, e-mail opens."""
