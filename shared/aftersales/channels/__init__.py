"""Channels context: inbound customer contact (WeCom, Douyin shop pushes, e-mail) turned into
intake commands, and customer identity linking across channels."""
