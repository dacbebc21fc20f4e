% rebase('layout')
<h1>{{title}}</h1>
% labels = {'make': 'Make', 'model': 'Model', 'year': 'Year', 'vin': 'VIN', 'plate': 'Licence plate', 'colour': 'Colour', 'mileage': 'Mileage (km)'}
% include('_errors', fields=tuple(labels), labels=labels)
<form id="car_form-form" method="post" action="{{'/cars/%d' % car.id if car else '/cars/new'}}" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
% if get('back'):
  <input type="hidden" name="back" value="{{back}}">
% end
% include('_field', name='make', label='Make', hint='e.g. Volkswagen. You may leave it empty when you give the VIN: we read the make from it.')
% include('_field', name='model', label='Model', required=True, hint='e.g. Golf')
% include('_field', name='year', label='Year', inputmode='numeric', optional=True)
% include('_field', name='plate', label='Licence plate', optional=True)
% include('_field', name='vin', label='VIN', optional=True, hint='The 17-character vehicle identification number from your registration papers.')
% include('_field', name='colour', label='Colour', optional=True)
% include('_field', name='mileage', label='Mileage (km)', inputmode='numeric', optional=True, hint='As on the dashboard, e.g. 42000 or 42.000.')
  <button type="submit" class="button primary">Save</button>
  <a class="button" href="{{get('back') or '/cars'}}">Cancel</a>
</form>
