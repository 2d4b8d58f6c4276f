"""The project's base ModelSerializer: model text fields become the strict text fields of core/fields.py, so a model
serializer refuses a JSON number where the model stores text, as an explicit field does."""

from django.db import models
from rest_framework import serializers

from core.fields import (
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictIPAddressField,
    StrictSlugField,
    StrictURLField,
)


# DRF's ModelSerializer with every model text field (and every field with choices) read strictly. (A comment, not a
# docstring: drf-spectacular would describe every serializer without a docstring of its own with this one.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.CommaSeparatedIntegerField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.GenericIPAddressField: StrictIPAddressField,
    }
    serializer_choice_field = StrictChoiceField
