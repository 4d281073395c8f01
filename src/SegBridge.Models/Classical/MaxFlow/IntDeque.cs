namespace SegBridge.Models.Classical.MaxFlow;

/// <summary>A growable ring buffer of ints; the orphan list needs pushes at both ends.</summary>
internal sealed class IntDeque
{
    private int[] _items = new int[64];
    private int _head, _count;

    public int Count => _count;

    public void PushFront(int value)
    {
        EnsureRoom();
        _head = (_head - 1 + _items.Length) % _items.Length;
        _items[_head] = value;
        _count++;
    }

    public void PushBack(int value)
    {
        EnsureRoom();
        _items[(_head + _count) % _items.Length] = value;
        _count++;
    }

    public bool TryPopFront(out int value)
    {
        if (_count == 0) { value = 0; return false; }
        value = _items[_head];
        _head = (_head + 1) % _items.Length;
        _count--;
        return true;
    }

    private void EnsureRoom()
    {
        if (_count < _items.Length) return;
        var bigger = new int[_items.Length * 2];
        for (int k = 0; k < _count; k++) bigger[k] = _items[(_head + k) % _items.Length];
        _items = bigger; _head = 0;
    }
}
