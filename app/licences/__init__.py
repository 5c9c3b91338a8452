"""The 电子证照 wallet: licences a person (or their company) holds in the licence library and
the certificates we issued; 亮证 (showing one by a short-lived signed QR code); 免提交 (a
licence standing in for an uploaded material); and the trust levels A–D of materials."""
