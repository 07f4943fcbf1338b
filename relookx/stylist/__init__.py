"""The stylist: message understanding, rules, the offline and Mistral stylists, the workflow."""
