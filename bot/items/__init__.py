"""The item use cases, one module per concern; :class:`bot.services.ItemService` joins them."""
