"""What stylist, shop and preview share: outfit items and pieces (`pieces`) and color science (`colors`)."""
