"""Decision documents (文书) issued on a case: 受理通知书, 补正告知书 (from the structured
一次性告知), 不予受理决定书, 准予许可决定书 and 不予许可决定书, rendered from templates with the
reasons and legal basis as PDF, kept as blobs and visible to the applicant."""
