"""How an OMS talks to Herald: signal milestones, read an order's messaging history."""
