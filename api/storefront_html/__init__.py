"""The storefront's public pages as HTML from the server: head, first paint, sitemap."""
