% # Quotes, invoices and the review of this appointment (see routes/appointments.py:extras).
