"""What workstations cost: hourly prices, and what each has accrued through its states."""
