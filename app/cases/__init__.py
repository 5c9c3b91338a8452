"""Cases (办件): the state machine, clocks, 补正, materials and the services handlers call."""
