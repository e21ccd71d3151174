"""AWS through boto3: sessions, images, networking, instances, storage, prices."""
