"""12345 tickets (咨询 / 投诉 / 建议 / 求助 / 举报): routing, deadlines, replies, the hotline."""
