"""Two-way SMS: what a customer's reply means, which conversation it belongs to, and the
wording of delivery-exception messages."""
