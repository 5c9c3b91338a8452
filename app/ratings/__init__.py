"""政务服务"好差评": ratings after 办结, 差评 → 整改 → 回访, 申诉 and reporting to the province."""
