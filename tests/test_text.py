from schemas.text import fold


def test_fold_vietnamese():
    assert fold("Đinh lăng") == "dinh lang"
    assert fold("Cờ Đỏ") == "co do"
    assert fold("Thủy") == fold("Thuỷ") == "thuy"
    assert fold("  Sâm   bố chính ") == "sam bo chinh"
    assert fold("Fragaria × ananassa") == "fragaria x ananassa"
