"""Evidence attachments of a declaration (证明材料): files with a content hash."""
