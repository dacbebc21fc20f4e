% if errors.get('service'):
  <p class="error" id="service-error">Services: {{errors['service']}}</p>
% end
% for index, (category, items) in enumerate(groups):
  <fieldset{{!' aria-describedby="service-error"' if errors.get('service') else ''}}>
    <legend>{{category}}</legend>
% for item in items:
    <label class="choice" for="service-{{item.id}}">
      <input type="checkbox" id="service-{{item.id}}" name="service" value="{{item.id}}"{{!' checked' if str(item.id) in picked['service'] else ''}}>
      <span>{{item.name}} <span class="meta">· {{money(gross(item.price))}} · about {{duration(item.duration_minutes)}}</span></span>
    </label>
% end
  </fieldset>
% end
