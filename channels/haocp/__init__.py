"""The provincial / national 政务服务"好差评" system: reporting ratings, 整改 and 申诉 outcomes."""
