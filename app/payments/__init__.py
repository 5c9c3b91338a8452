"""Payments: orders for a case's fees, notifies, refunds, receipts and reconciliation."""
