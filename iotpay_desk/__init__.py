"""iotpay-desk."""
