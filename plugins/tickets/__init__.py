"""The core ticket addon: departments, categories, customers, tickets, trajectory."""
