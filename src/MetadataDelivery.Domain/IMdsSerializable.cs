namespace MetadataDelivery.Domain;

/// <summary>Marker for every message and event that crosses a process or lands in the journal.
/// The engine binds exactly one serializer (System.Text.Json, short manifests) to it.</summary>
public interface IMdsSerializable;
