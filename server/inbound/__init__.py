"""Purchasing and receiving (采购/收货). Issue 4 grows this into full purchasing; sync needs POs now
for the over-receipt tolerance policy."""
